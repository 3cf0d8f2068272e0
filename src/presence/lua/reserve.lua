-- Confirms a reservation a process made in its own replica: the agent must be available (a due
-- wrap-up counts as over) with fewer calls than their capacity, after expired leases are dropped.
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
--   ARGV[4]  call id
--   ARGV[5]  the reserving process's id
--   ARGV[6]  the agent's capacity
--   ARGV[7]  lease (ms): the reservation ends by itself unless the process refreshes it
--   ARGV[8]  the process's write seq
-- Returns { 1, state } when reserved (or already held by this call), { 0, reason, state } when refused.
local changed = purge_expired()
changed = end_due_wrap_up() or changed
local call_id, proc, capacity, lease, seq = ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
-- Reserving again a call finished before (a queued call routed anew) is a new fact.
redis.call('ZREM', ended_key, call_id)
if redis.call('HEXISTS', calls_key, call_id) == 1 then
  redis.call('ZADD', leases_key, redis_ms() + lease, call_id)
  return { 1, changed and publish_state() or state_json() }
end
if redis.call('HGET', agent_key, 'presence') ~= 'available' then
  return { 0, 'not-available', changed and publish_state() or state_json() }
end
if redis.call('HLEN', calls_key) >= capacity then
  return { 0, 'at-capacity', changed and publish_state() or state_json() }
end
redis.call('HSET', calls_key, call_id, 'r|' .. proc .. '|' .. seq)
redis.call('ZADD', leases_key, redis_ms() + lease, call_id)
return { 1, publish_state() }
