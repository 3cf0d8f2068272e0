-- The agent answered a call: ringing -> talking, one more call today. Applied even when the
-- reservation is gone (its lease ran out during an outage): the agent is talking whatever the store says.
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
--   ARGV[4]  call id
--   ARGV[5]  the process's id
--   ARGV[6]  lease (ms)
--   ARGV[7]  the process's write seq
-- A call already finished here stays finished, and a hold the process wrote after this answer was
-- decided is left alone (this write came late). Returns the agent's state.
purge_expired()
local call_id, proc, lease, seq = ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
if finished(call_id) then return state_json() end
local held = redis.call('HGET', calls_key, call_id)
if held then
  local held_proc, held_seq = holder(held)
  if held_proc == proc and held_seq and held_seq > seq then return state_json() end
end
redis.call('ZADD', leases_key, redis_ms() + lease, call_id)
if held and string.sub(held, 1, 1) == 't' then return state_json() end
redis.call('HSET', calls_key, call_id, 't|' .. proc .. '|' .. seq)
redis.call('HINCRBY', agent_key, 'callsToday', 1)
return publish_state()
