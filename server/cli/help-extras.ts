/**
 * Examples and the meaning of exit code 1 for every command, shown at the end of its `--help`.
 * Kept in one table (not in each command) so they read consistently; `help-extras.test.ts` checks
 * that every command has at least one example and that every example parses with that command's
 * options, so an example cannot go stale when an option is renamed.
 */
export interface HelpExtra {
  readonly examples: readonly string[];
  /** What exit code 1 means for this command (0 is success, 2 a usage error, everywhere). */
  readonly exit1: string;
}

const REJECTED = 'refused, with an error code saying why';

export const HELP_EXTRAS: Readonly<Record<string, HelpExtra>> = {
  keygen: { examples: ['nightcore keygen --out keys --name acme-release'], exit1: 'the key files could not be written (existing files are never overwritten)' },
  init: {
    examples: ['nightcore init hello.wasm --name hello --version 1.0.0 --out hello-bundle', 'nightcore init app.wasm --name app --version 2.1.0 --capability stdout --capability fs.read --fuel 50000000'],
    exit1: 'the module or the manifest fields are invalid (each bad field listed)',
  },
  sign: { examples: ['nightcore sign hello-bundle --key keys/acme-release.key'], exit1: 'the bundle or the key could not be read or is invalid' },
  verify: { examples: ['nightcore verify hello-bundle', 'nightcore verify tenants/acme --json'], exit1: 'the bundle does not verify (digest, signature or manifest; the code says which)' },
  inspect: { examples: ['nightcore inspect hello.wasm', 'nightcore inspect hello-bundle --json'], exit1: 'the file is not a readable WebAssembly module or bundle' },
  import: { examples: ['nightcore import hello-bundle', 'nightcore import tenants/acme --legacy'], exit1: `the bundle was not imported: ${REJECTED}` },
  'trust add': { examples: ['nightcore trust add keys/acme-release.pub --role publisher --name "Acme releases"'], exit1: 'the key file is invalid or the key is already trusted' },
  'trust list': { examples: ['nightcore trust list', 'nightcore trust list --json'], exit1: 'the data folder could not be opened' },
  'trust revoke': { examples: ['nightcore trust revoke 3f2a9c0d1e4b5a6c --reason "key leaked"'], exit1: 'no such key, or it is already revoked' },
  run: {
    examples: ['nightcore run hello', 'nightcore run hello@1.0.0 --json -- --greeting hi', 'nightcore run wc --stdin input.txt --dir ./data::/data'],
    exit1: 'Guardian denied the run (before or after executing), or the module could not be found',
  },
  call: { examples: ['nightcore call math add 2 3', 'nightcore call math negate -- -5'], exit1: 'Guardian denied the call, or the export or its arguments do not fit' },
  'runs list': { examples: ['nightcore runs list --decision deny --limit 20', 'nightcore runs list --module hello --json'], exit1: 'the data folder could not be opened' },
  'runs show': { examples: ['nightcore runs show 01JD2X6Q8J3W5Y7Z9A1B3C5D7E'], exit1: 'no run with that id' },
  replay: { examples: ['nightcore replay 01JD2X6Q8J3W5Y7Z9A1B3C5D7E --json'], exit1: 'the replay differs from the recorded run, or the run cannot be replayed' },
  'policy check': { examples: ['nightcore policy check policies/strict.json'], exit1: 'the policy is invalid (each problem with its field path)' },
  'policy show': { examples: ['nightcore policy show', 'nightcore policy show --revision 3 --json'], exit1: 'no such revision' },
  'policy history': { examples: ['nightcore policy history', 'nightcore policy history --json'], exit1: 'the data folder could not be opened' },
  'policy diff': { examples: ['nightcore policy diff 3', 'nightcore policy diff 3 5 --json'], exit1: 'no such revision' },
  'policy propose': { examples: ['nightcore policy propose candidate.json --key approver.key --reason "raise fuel for the report job"'], exit1: 'the candidate policy is invalid or the proposal was refused' },
  'policy approve': {
    examples: ['nightcore policy approve 7 --key approver.key --reason "simulation shows no new denials"', 'nightcore policy approve 7 --key approver.key --reason "too broad" --reject'],
    exit1: REJECTED,
  },
  'policy restore': { examples: ['nightcore policy restore 3 --key approver.key --reason "roll back the fuel change"'], exit1: 'no such revision, or the proposal was refused' },
  'approvals export': { examples: ['nightcore approvals export sub_01JD2X6Q8J --out approvals.json', 'nightcore approvals export quarantine:12 --out release-12.json'], exit1: 'no such submission or quarantine entry' },
  'quarantine list': { examples: ['nightcore quarantine list', 'nightcore quarantine list --json'], exit1: 'the data folder could not be opened' },
  'quarantine add': { examples: ['nightcore quarantine add hello@1.0.0 --reason "exfiltration pattern in output"'], exit1: 'no such module, or it is already quarantined' },
  'quarantine release': { examples: ['nightcore quarantine release 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 --key approver.key --reason "false positive, fixed in 1.0.1"'], exit1: REJECTED },
  'quarantine history': { examples: ['nightcore quarantine history --json'], exit1: 'the data folder could not be opened' },
  'webhooks add': { examples: ['nightcore webhooks add chatops --url https://hooks.example.org/nightcore --events submissions,decisions,quarantines,releases'], exit1: REJECTED },
  'webhooks edit': { examples: ['nightcore webhooks edit chatops --events quarantines,releases'], exit1: 'no such webhook, or the change is invalid' },
  'webhooks list': { examples: ['nightcore webhooks list --json'], exit1: 'the data folder could not be opened' },
  'webhooks enable': { examples: ['nightcore webhooks enable chatops'], exit1: 'no such webhook' },
  'webhooks disable': { examples: ['nightcore webhooks disable chatops'], exit1: 'no such webhook' },
  'webhooks deliveries': { examples: ['nightcore webhooks deliveries chatops --limit 20'], exit1: 'no such webhook' },
  'sinks add': {
    examples: [
      'nightcore sinks add siem --kind syslog --target tls://siem.example.org:6514 --ca siem-ca.pem',
      'printf "%s" "$HEC_TOKEN" | nightcore sinks add splunk --kind hec --url https://splunk.example.org:8088 --token-stdin',
      'nightcore sinks add archive --kind ocsf --dir /var/log/nightcore --max-bytes 104857600 --keep 10 --from-start',
    ],
    exit1: REJECTED,
  },
  'sinks list': { examples: ['nightcore sinks list --json'], exit1: 'the data folder could not be opened' },
  'sinks status': { examples: ['nightcore sinks status', 'nightcore sinks status --json'], exit1: 'the data folder could not be opened' },
  'sinks enable': { examples: ['nightcore sinks enable siem'], exit1: 'no such sink' },
  'sinks disable': { examples: ['nightcore sinks disable siem'], exit1: 'no such sink' },
  'sinks deliveries': { examples: ['nightcore sinks deliveries siem --limit 50'], exit1: 'no such sink' },
  'sinks deliver': { examples: ['nightcore sinks deliver --json'], exit1: 'a destination could not be reached (it is retried later)' },
  'config check': { examples: ['nightcore config check', 'nightcore config check --json'], exit1: 'a setting is invalid (each problem named with its fix)' },
  'audit verify': { examples: ['nightcore audit verify', 'nightcore audit verify --json', 'nightcore audit verify --former-key old-server.pub@1..4000'], exit1: 'the chain, the Merkle tree or a checkpoint does not verify (the first bad sequence number is named)' },
  'audit checkpoint': { examples: ['nightcore audit checkpoint'], exit1: 'the checkpoint could not be signed or written' },
  'audit export': { examples: ['nightcore audit export --format jsonl --out audit.jsonl', 'nightcore audit export --format csv'], exit1: 'the export could not be written' },
  'audit key': { examples: ['nightcore audit key > nightcore-log.vkey'], exit1: 'the server key could not be read' },
  'audit prove': { examples: ['nightcore audit prove 1234 > proof.json', 'nightcore audit prove 1234 --size 5000'], exit1: 'no such event, or the size is not a signed checkpoint' },
  'audit consistency': { examples: ['nightcore audit consistency 1000 2000 > consistency.json'], exit1: 'the sizes are not signed checkpoints of this log' },
  'audit check': { examples: ['nightcore audit check proof.json --key nightcore-log.vkey'], exit1: 'the proof does not verify against the key' },
  'witness key': { examples: ['nightcore witness key --key witness.key --name witness.example.org'], exit1: 'the key could not be read or written' },
  witness: {
    examples: ['nightcore witness --listen 127.0.0.1:7380 --state witness-state.json --key witness.key --name witness.example.org --log nightcore-log.vkey'],
    exit1: 'the witness could not start (address in use, unreadable key or state)',
  },
  'server-key': { examples: ['nightcore server-key --out console.pub'], exit1: 'the server key could not be read or the file written' },
  'server-key rotate': { examples: ['nightcore server-key rotate', 'nightcore server-key rotate --json'], exit1: 'the key was not rotated (ROTATION_FAILED, with the reason): nothing changed' },
  'server-key list': { examples: ['nightcore server-key list', 'nightcore server-key list --json'], exit1: 'the data folder could not be opened' },
  node: {
    examples: ['nightcore node --listen 127.0.0.1:7390 --key node.key --console-key console.pub --publisher-key keys/acme-release.pub --backend process'],
    exit1: 'the node could not start (address in use, unreadable keys, backend unavailable)',
  },
  backends: { examples: ['nightcore backends', 'nightcore backends --json'], exit1: 'a backend check failed to run' },
  'user add': { examples: ['nightcore user add alice --role operator', 'printf "%s\\n" "$PASSWORD" | nightcore user add bob --role viewer --password-stdin'], exit1: REJECTED },
  'user list': { examples: ['nightcore user list --json'], exit1: 'the data folder could not be opened' },
  'user disable': { examples: ['nightcore user disable alice'], exit1: 'no such user, already disabled, or the last admin' },
  'user set-role': { examples: ['nightcore user set-role alice --role approver'], exit1: 'no such user, the same role, or the last admin' },
  'user set-password': { examples: ['nightcore user set-password admin'], exit1: 'no such user, or the password is too weak' },
  'user signout': { examples: ['nightcore user signout alice'], exit1: 'no such user' },
  'user unlock': { examples: ['nightcore user unlock alice'], exit1: 'no such user' },
  submit: {
    examples: ['nightcore submit build/agent.wasm --url https://nightcore.example.org --token "$NIGHTCORE_AGENT_TOKEN" --purpose "nightly report generator"'],
    exit1: 'the console refused the submission (the HTTP status and the problem are printed)',
  },
  approve: { examples: ['nightcore approve sub_01JD2X6Q8J --key approver.key --reason "reviewed the diff"'], exit1: REJECTED },
  reject: { examples: ['nightcore reject sub_01JD2X6Q8J --key approver.key --reason "asks for fs.write"'], exit1: REJECTED },
  'approvals verify': { examples: ['nightcore approvals verify sub_01JD2X6Q8J'], exit1: 'an approval statement does not verify' },
  'agent add': { examples: ['nightcore agent add ci-bot --owner alice --rate 60', 'nightcore agent add reviewer --owner bob --expires 2027-06-30 --read-only'], exit1: REJECTED },
  'agent list': { examples: ['nightcore agent list --json'], exit1: 'the data folder could not be opened' },
  'agent revoke': { examples: ['nightcore agent revoke ci-bot'], exit1: 'no such agent, or already revoked' },
  'approver-key add': { examples: ['nightcore approver-key add approver.pub --user carol'], exit1: REJECTED },
  'policy simulate': {
    examples: ['nightcore policy simulate candidate.json', 'nightcore policy simulate candidate.json --last 5000 --since 2026-11-01 --json'],
    exit1: 'the candidate policy is invalid, the window is invalid, or this installation has no PRO license (policy_simulation)',
  },
  'policy recommend': {
    examples: ['nightcore policy recommend', 'nightcore policy recommend --last 10000 --out recommendations'],
    exit1: 'the window is invalid, or this installation has no PRO license (policy_recommendations)',
  },
  'license show': { examples: ['nightcore license show', 'nightcore license show --json'], exit1: 'the installed license is invalid' },
  'license install': { examples: ['nightcore license install acme.license.json'], exit1: 'the license is forged, expired or for another product' },
  report: { examples: ['nightcore report --from 2026-11-01 --to 2026-12-01 --format pdf --out november.pdf'], exit1: 'the report could not be made (bad period, Chromium missing for PDF)' },
  'report verify': { examples: ['nightcore report verify november.pdf --sig november.pdf.sig --key console.pub'], exit1: 'the report does not match its signature' },
  migrate: { examples: ['nightcore migrate --check', 'nightcore migrate --data /var/lib/nightcore'], exit1: 'a migration failed (the data is left as it was), the chain does not verify, or the folder is from a newer release; with --check: migrations are pending (MIGRATIONS_PENDING) or an upgrade would be refused' },
  backup: { examples: ['nightcore backup --out /backups/nightcore.ncbak', 'nightcore backup --out /backups/full.ncbak --with-secrets'], exit1: 'the backup could not be made or written' },
  restore: { examples: ['nightcore restore /backups/nightcore.ncbak --data ./data'], exit1: 'the backup does not verify; nothing was replaced' },
  completion: { examples: ['nightcore completion bash > /etc/bash_completion.d/nightcore', 'nightcore completion zsh > "${fpath[1]}/_nightcore"', 'nightcore completion fish > ~/.config/fish/completions/nightcore.fish'], exit1: 'never (an unknown shell is a usage error)' },
};

/** For a command the table does not know yet: the usage line is the example. */
export function helpExtraOf(name: string, usage: string): HelpExtra {
  return HELP_EXTRAS[name] ?? { examples: [usage.split('   ')[0]!], exit1: REJECTED };
}
