/**
 * Device names from channel names: Asterisk names a channel after its device
 * plus a sequence ("PJSIP/1001-0000002a", "Local/1001@cti-agents-0000000c;1"),
 * and reports device states by the device alone ("PJSIP/1001").
 */
export function deviceOf(channel: string): string {
  if (channel.startsWith('Local/')) {
    // Local/<exten>@<context>-<seq>;<half>
    const match = /^(Local\/[^;]+?)-[0-9a-f]+(;\d)?$/.exec(channel)
    return match ? match[1]! : channel
  }
  const dash = channel.lastIndexOf('-')
  return dash > channel.indexOf('/') ? channel.slice(0, dash) : channel
}
