-- The agent's state, after dropping expired leases and ending a due wrap-up; when that changed
-- anything, the new state is published (this is how a dead process's reservations are swept).
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
-- Returns the agent's state.
local changed = purge_expired()
changed = end_due_wrap_up() or changed
if changed then return publish_state() end
return state_json()
