-- Appends a screen-pop event to an agent's shared stream under the agent's next seq, and
-- publishes it to every process (each delivers it to the agent's pages connected to it).
--   KEYS[1]  the agent's seq counter
--   KEYS[2]  the agent's event stream (entry id "<seq>-0", fields f = frame, at = ms)
--   ARGV[1]  the agent's id
--   ARGV[2]  the channel of screen-pop events
--   ARGV[3]  the event as JSON without its seq ('{"type":…,"id":…,"at":…}')
--   ARGV[4]  when it was published (ms)
--   ARGV[5]  events kept per agent at most
--   ARGV[6]  how long a quiet agent's stream is kept (ms)
-- Publishes "<agent id>\n<seq>\n<at>\n<frame>"; returns the seq.
local seq = redis.call('INCR', KEYS[1])
local frame = '{"seq":' .. seq .. ',' .. string.sub(ARGV[3], 2)
redis.call('XADD', KEYS[2], 'MAXLEN', tonumber(ARGV[5]), seq .. '-0', 'f', frame, 'at', ARGV[4])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
redis.call('PUBLISH', ARGV[2], ARGV[1] .. '\n' .. seq .. '\n' .. ARGV[4] .. '\n' .. frame)
return seq
