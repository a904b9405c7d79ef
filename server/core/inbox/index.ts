/** The Agent Inbox core: submission states, signed approval statements, quorum and separation of duties. */
export * from './policy';
export * from './statement';
export * from './quorum';
export * from './submission';
export * from './intake';
export * from './module-source';
export * from './quarantine-release';
export * from './offline-verify';
