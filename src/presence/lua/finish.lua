-- A call gave its agent back: a ringing one is released; a talking one ended, and an available
-- agent with no call left goes into wrap-up. Nothing happens for a call the agent does not hold,
-- nor for a hold of another process, nor for one this process wrote after deciding this release (a
-- release retried after a timeout arrives after a new reservation of the same call: it is stale).
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
--   ARGV[4]  call id
--   ARGV[5]  wrap-up seconds (0: none)
--   ARGV[6]  the releasing process's id
--   ARGV[7]  its write seq when it decided the release
-- Returns the agent's state.
local changed = purge_expired()
local call_id, wrap_up, proc, seq = ARGV[4], tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local held = redis.call('HGET', calls_key, call_id)
if held then
  local held_proc, held_seq = holder(held)
  if held_proc ~= proc or (held_seq and held_seq > seq) then return changed and publish_state() or state_json() end
end
remember_finished(call_id)
if not held then return changed and publish_state() or state_json() end
redis.call('HDEL', calls_key, call_id)
redis.call('ZREM', leases_key, call_id)
if string.sub(held, 1, 1) == 't' then
  redis.call('HSET', agent_key, 'lastCallEndedAt', now)
  if redis.call('HGET', agent_key, 'presence') == 'available' and redis.call('HLEN', calls_key) == 0 and wrap_up > 0 then
    redis.call('HSET', agent_key, 'presence', 'wrap-up', 'wrapUpUntil', now + wrap_up * 1000)
  end
end
return publish_state()
