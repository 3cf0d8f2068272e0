-- Writes down that a call waits in a queue, owned by a process (which also beats by it).
--   KEYS[1]  the queue's sorted set (call id → priority then arrival, lower first)
--   KEYS[2]  the call's hash (queue, owner, what the call is)
--   KEYS[3]  the owner process's set of waiting calls
--   KEYS[4]  the processes' sorted set (process id → last beat, Redis time ms)
--   ARGV[1]  call id
--   ARGV[2]  score: (400 - priority) * 1e13 + arrival ms
--   ARGV[3]  owner process id
--   ARGV[4]  queue name
--   ARGV[5]  the call as JSON (caller, dialed, channel, kind, arrival)
-- Returns the call's 1-based rank in the queue.
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], 'queue', ARGV[4], 'owner', ARGV[3], 'call', ARGV[5])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], now_ms, ARGV[3])
return redis.call('ZRANK', KEYS[1], ARGV[1]) + 1
