-- Takes over the waiting calls of a process that stopped beating, atomically: exactly one live
-- process gets them, and they leave their queues. All keys share the {queue} hash tag.
--   KEYS[1]  the processes' sorted set
--   KEYS[2]  the dead process's set of waiting calls
--   ARGV[1]  the dead process's id
--   ARGV[2]  how long (ms) without a beat counts as dead
--   ARGV[3]  the key prefix of queues and calls, up to and including "{queue}:"
-- Returns { call id, call JSON, queue, ... } of the calls taken over; empty when the process
-- beat again meanwhile or another process took them first.
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not last or tonumber(last) >= now_ms - tonumber(ARGV[2]) then return {} end
redis.call('ZREM', KEYS[1], ARGV[1])
local taken = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local call_key = ARGV[3] .. 'call:' .. id
  local queue = redis.call('HGET', call_key, 'queue')
  if queue then
    redis.call('ZREM', ARGV[3] .. 'q:' .. queue, id)
    table.insert(taken, id)
    table.insert(taken, redis.call('HGET', call_key, 'call') or '{}')
    table.insert(taken, queue)
  end
  redis.call('DEL', call_key)
end
redis.call('DEL', KEYS[2])
return taken
