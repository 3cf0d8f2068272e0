/**
 * The sipp caller of bench:sip:real: an INVITE from the injection file's
 * caller (field0), then whatever final answer comes (302, 480, 486, 503, 603),
 * logged as `R|<expected owner>|<status>|<first Contact's user>` for the
 * benchmark to check, and ACKed in the INVITE's transaction (same branch and
 * CSeq number, RFC 3261 17.1.1.3).
 */
const answers = ['302', '480', '486', '503', '603']

const recv = (status: string, last: boolean) => `
  <recv response="${status}"${last ? '' : ' optional="true"'} next="1">
    <action>
      ${status === '302' ? '<ereg regexp="^ *&lt;sips?:([^@&gt;]+)@" search_in="hdr" header="Contact:" assign_to="whole,first" />' : ''}
      <log message="R|[field1]|${status}|${status === '302' ? '[$first]' : ''}" />
    </action>
  </recv>`

export const sippScenario = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench:sip:real caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-invite
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true" />
${answers.map((status, i) => recv(status, i === answers.length - 1)).join('')}
  <label id="1" />
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-invite
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <Reference variables="whole" />
</scenario>
`
