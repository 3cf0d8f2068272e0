-- A live process's heartbeat; answers which processes missed theirs.
--   KEYS[1]  the processes' sorted set (process id → last beat, Redis time ms)
--   ARGV[1]  this process's id
--   ARGV[2]  how long (ms) a process may go without beating before its calls are taken over
-- Returns the ids of the processes whose last beat is older than that.
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now_ms, ARGV[1])
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now_ms - tonumber(ARGV[2])))
