/**
 * OCSF-shaped records (Open Cybersecurity Schema Framework 1.1) for the JSON Lines file sink.
 * Sign-ins map to Authentication (3002), account changes to Account Change (3001), everything else
 * to API Activity (6003), the class audit trails such as CloudTrail map to. Fields OCSF has no
 * place for (subject, payload, the chain hashes) go under `unmapped`, and `metadata.sequence` /
 * `metadata.uid` carry seq and hash so a reader can check completeness.
 */
import type { AuditEvent } from '../audit/event';

export const OCSF_VERSION = '1.1.0';

interface OcsfClass {
  readonly classUid: number;
  readonly className: string;
  readonly categoryUid: number;
  readonly categoryName: string;
  readonly activity: (action: string) => { id: number; name: string };
}

const OTHER = { id: 99, name: 'Other' };

const AUTHENTICATION: OcsfClass = {
  classUid: 3002, className: 'Authentication', categoryUid: 3, categoryName: 'Identity & Access Management',
  activity: (a) => (a === 'auth.logout' || a === 'auth.sessions_revoked' ? { id: 2, name: 'Logoff' } : a.startsWith('auth.login') ? { id: 1, name: 'Logon' } : OTHER),
};
const ACCOUNT_CHANGE: OcsfClass = {
  classUid: 3001, className: 'Account Change', categoryUid: 3, categoryName: 'Identity & Access Management',
  activity: (a) =>
    a === 'user.created' ? { id: 1, name: 'Create' }
      : a === 'user.password_changed' ? { id: 3, name: 'Password Change' }
        : a === 'user.disabled' ? { id: 5, name: 'Disable' }
          : OTHER,
};
const API_ACTIVITY: OcsfClass = {
  classUid: 6003, className: 'API Activity', categoryUid: 6, categoryName: 'Application Activity',
  activity: (a) =>
    /\.(added|created|imported|received|recorded|registered|key_created)$/.test(a) ? { id: 1, name: 'Create' }
      : /\.(exported|verified)$/.test(a) ? { id: 2, name: 'Read' }
        : /\.(revoked|rejected|withdrawn|expired)$/.test(a) ? { id: 4, name: 'Delete' }
          : /\.(role_changed|quarantined|released|approved|loaded|decided|changed|disabled)$/.test(a) ? { id: 3, name: 'Update' }
            : OTHER,
};

function classOf(action: string): OcsfClass {
  if (action.startsWith('auth.')) return AUTHENTICATION;
  if (action.startsWith('user.')) return ACCOUNT_CHANGE;
  return API_ACTIVITY;
}

const FAILURE_ACTIONS: ReadonlySet<string> = new Set(['auth.login_failed', 'module.rejected', 'approval.refused']);

export function ocsfRecord(e: AuditEvent, host: string): string {
  const cls = classOf(e.action);
  const activity = cls.activity(e.action);
  const failed = FAILURE_ACTIONS.has(e.action) || (e.action === 'run.decided' && /"decision":"deny"/.test(e.payload));
  return (
    '{"class_uid":' + cls.classUid +
    ',"class_name":' + JSON.stringify(cls.className) +
    ',"category_uid":' + cls.categoryUid +
    ',"category_name":' + JSON.stringify(cls.categoryName) +
    ',"activity_id":' + activity.id +
    ',"activity_name":' + JSON.stringify(activity.name) +
    ',"type_uid":' + (cls.classUid * 100 + activity.id) +
    ',"severity_id":' + (failed ? 3 : 1) +
    ',"status_id":' + (failed ? 2 : 1) +
    ',"status":' + JSON.stringify(failed ? 'Failure' : 'Success') +
    ',"time":' + Date.parse(e.time) +
    ',"message":' + JSON.stringify(`${e.action} ${e.subject} by ${e.actor}`) +
    ',"actor":{"user":{"name":' + JSON.stringify(e.actor) + '}}' +
    ',"device":{"hostname":' + JSON.stringify(host) + '}' +
    ',"metadata":{"version":' + JSON.stringify(OCSF_VERSION) +
    ',"product":{"name":"Night Core","vendor_name":"Night Core"},"log_name":"audit","sequence":' + e.seq +
    ',"uid":' + JSON.stringify(e.hash) +
    ',"original_time":' + JSON.stringify(e.time) + '}' +
    ',"unmapped":{"action":' + JSON.stringify(e.action) +
    ',"subject":' + JSON.stringify(e.subject) +
    ',"prev_hash":' + JSON.stringify(e.prevHash) +
    ',"payload":' + e.payload + '}}\n'
  );
}
