-- What an agent chose (available, away, offline, wrap-up until they end it). The newest choice
-- wins: one made earlier than the one stored (replayed after an outage) changes nothing.
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
--   ARGV[4]  the presence
--   ARGV[5]  when it was chosen (ms, the process's clock)
-- Returns { 1, state } when applied, { 0, state } when a newer choice is stored.
local status, at = ARGV[4], tonumber(ARGV[5])
if at < number(redis.call('HGET', agent_key, 'setAt')) then return { 0, state_json() } end
redis.call('HSET', agent_key, 'presence', status, 'wrapUpUntil', '', 'setAt', at)
return { 1, publish_state() }
