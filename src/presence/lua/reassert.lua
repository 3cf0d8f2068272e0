-- After an outage, a process writes back a call it kept routing on its own: the call is recorded
-- whatever the capacity (the phone is ringing or the agent talking already), and the caller is told
-- when the agent now holds more calls than their capacity (two processes booked them meanwhile).
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
--   ARGV[4]  call id
--   ARGV[5]  "r" (ringing) or "t" (talking)
--   ARGV[6]  the process's id
--   ARGV[7]  lease (ms)
--   ARGV[8]  the agent's capacity
--   ARGV[9]  the process's write seq
-- A call finished here meanwhile is not brought back. Returns { 1 when over capacity else 0, state }.
purge_expired()
local call_id, kind, proc, lease, capacity, seq = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9]
if finished(call_id) then return { 0, state_json() } end
redis.call('HSET', calls_key, call_id, kind .. '|' .. proc .. '|' .. seq)
redis.call('ZADD', leases_key, redis_ms() + lease, call_id)
local over = redis.call('HLEN', calls_key) > capacity and 1 or 0
return { over, publish_state() }
