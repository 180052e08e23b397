// The Lua steps of named policies. Each writes its audit event to the outbox in the same step as
// the change (as the schedule steps do), so no crash can lose the entry or its webhook.

/**
 * A new version, unless the content is the latest one's already.
 * KEYS: policy hash, versions hash, log list, policies index, outbox stream
 * ARGV: name, digest, version JSON, log entry JSON, actor, maxPolicies, maxVersions,
 *       expected latest version ('' = any), events maxLen
 * Returns: {outcome, version}: outcome created | changed | unchanged | stale (not the expected
 * version) | full (ENFORCER_MAX_POLICIES) | versions (ENFORCER_MAX_POLICY_VERSIONS)
 */
export const PUT_POLICY = `
local latest = tonumber(redis.call('hget', KEYS[1], 'latest') or '0')
if ARGV[8] ~= '' and tonumber(ARGV[8]) ~= latest then return {'stale', latest} end
if latest > 0 and redis.call('hget', KEYS[1], 'digest') == ARGV[2] then return {'unchanged', latest} end
if latest == 0 and redis.call('zcard', KEYS[4]) >= tonumber(ARGV[6]) then return {'full', 0} end
if latest >= tonumber(ARGV[7]) then return {'versions', latest} end
local version = latest + 1
redis.call('hset', KEYS[2], version, ARGV[3])
redis.call('rpush', KEYS[3], ARGV[4])
redis.call('hset', KEYS[1], 'latest', version, 'digest', ARGV[2])
redis.call('zadd', KEYS[4], 0, ARGV[1])
local outcome = 'changed'
if version == 1 then outcome = 'created' end
redis.call('xadd', KEYS[5], 'MAXLEN', '~', ARGV[9], '*', 'r', '', 'k', 'audit', 'by', ARGV[5],
  'a', 'policy.put', 'po', ARGV[1], 'v', version, 'd', outcome)
return {outcome, version}`;

/** How many referring schedules a refused delete names (the rest are counted). */
export const REFERRERS_NAMED = 20;

/**
 * Deletes a policy with every version, unless a schedule refers to it.
 * KEYS: policy hash, versions hash, log list, policies index, referrers set, outbox stream
 * ARGV: name, actor, events maxLen
 * Returns: {'missing'} | {'referenced', count, up to REFERRERS_NAMED names} | {'deleted', version}
 */
export const DELETE_POLICY = `
local latest = redis.call('hget', KEYS[1], 'latest')
if not latest then return {'missing'} end
local referrers = redis.call('smembers', KEYS[5])
if #referrers > 0 then
  table.sort(referrers)
  return {'referenced', #referrers, unpack(referrers, 1, math.min(#referrers, ${REFERRERS_NAMED}))}
end
redis.call('unlink', KEYS[1], KEYS[2], KEYS[3])
redis.call('zrem', KEYS[4], ARGV[1])
redis.call('xadd', KEYS[6], 'MAXLEN', '~', ARGV[3], '*', 'r', '', 'k', 'audit', 'by', ARGV[2],
  'a', 'policy.deleted', 'po', ARGV[1], 'v', latest, 'd', '')
return {'deleted', tonumber(latest)}`;
