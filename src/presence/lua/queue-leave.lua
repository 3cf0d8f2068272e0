-- A call no longer waits (served, overflowed, abandoned, ended): it leaves its queue.
--   KEYS[1]  the queue's sorted set
--   KEYS[2]  the call's hash
--   KEYS[3]  the owner process's set of waiting calls
--   ARGV[1]  call id
-- Returns 1 when the call was waiting, 0 when another process had taken it over already.
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return removed
