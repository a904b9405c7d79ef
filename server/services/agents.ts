/**
 * Agents: automation that submits modules to the inbox. An admin registers one with a name and an
 * owner (a console user); the API token is returned once and only its SHA-256 is stored. A token
 * is `nca_<tokenId>_<secret>`: the public id finds the row, then the secret's hash is compared in
 * constant time, so neither a lookup nor a comparison leaks how much of a guess was right.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, count, eq, gte } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agents, submissions, users } from '../../db/schema';
import { sha256Hex, timingSafeEqualHex } from '../core/crypto/digest';
import { err, ok, type Result } from '../core/result';
import type { AuditLog } from './audit-log';

export type AgentRow = typeof agents.$inferSelect;
/** An agent as the rest of the system sees it: never the token hash. */
export type PublicAgent = Omit<AgentRow, 'tokenSha256'>;

export const AGENT_SCOPES = ['submissions:write', 'submissions:read'] as const;
export type AgentScope = (typeof AGENT_SCOPES)[number];
export const DEFAULT_RATE_PER_HOUR = 60;

const AGENT_NAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;
const TOKEN_RE = /^nca_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Compared against when no row matches, so a wrong id costs the same as a wrong secret. */
const DUMMY_HASH = sha256Hex('nightcore: no such agent token');

export type AgentCreateCode = 'INVALID_NAME' | 'AGENT_EXISTS' | 'OWNER_NOT_FOUND' | 'INVALID_SCOPE' | 'INVALID_RATE' | 'INVALID_EXPIRY';
export type AgentAuthCode = 'TOKEN_INVALID' | 'SCOPE_MISSING';
export type AgentRevokeCode = 'AGENT_NOT_FOUND' | 'ALREADY_REVOKED';

export const actorForAgent = (name: string) => `agent:${name}`;
const publicAgent = ({ tokenSha256: _hidden, ...rest }: AgentRow): PublicAgent => rest;

export class AgentService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  create(
    input: { name: string; ownerUsername: string; scopes?: readonly string[]; ratePerHour?: number; expiresAt?: Date | null },
    actor: string,
  ): Result<{ agent: PublicAgent; token: string }, AgentCreateCode> {
    if (!AGENT_NAME.test(input.name)) return err('INVALID_NAME', 'an agent name is 3 to 64 lower-case letters, digits, ".", "_" or "-"');
    const scopes = [...new Set(input.scopes ?? ['submissions:write', 'submissions:read'])];
    const bad = scopes.filter((s) => !(AGENT_SCOPES as readonly string[]).includes(s));
    if (bad.length > 0 || scopes.length === 0) return err('INVALID_SCOPE', `unknown scope(s): ${bad.join(', ') || '(none given)'}; known: ${AGENT_SCOPES.join(', ')}`);
    const rate = input.ratePerHour ?? DEFAULT_RATE_PER_HOUR;
    if (!Number.isInteger(rate) || rate < 1 || rate > 10_000) return err('INVALID_RATE', 'the rate is 1 to 10000 submissions per hour');
    const now = this.now();
    if (input.expiresAt && !(input.expiresAt.getTime() > now.getTime())) return err('INVALID_EXPIRY', 'the expiry must be in the future');
    const owner = this.db.select({ id: users.id }).from(users).where(eq(users.username, input.ownerUsername)).get();
    if (!owner) return err('OWNER_NOT_FOUND', `no user named ${input.ownerUsername}`);
    if (this.db.select({ id: agents.id }).from(agents).where(eq(agents.name, input.name)).get()) {
      return err('AGENT_EXISTS', `an agent named ${input.name} already exists`);
    }
    const tokenId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const row: AgentRow = {
      id: randomUUID(),
      name: input.name,
      ownerUserId: owner.id,
      tokenId,
      tokenSha256: sha256Hex(secret),
      scopes,
      ratePerHour: rate,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      revokedBy: null,
      createdBy: actor,
      createdAt: now,
      lastUsedAt: null,
    };
    this.audit.record(
      { actor, action: 'agent.created', subject: actorForAgent(row.name), payload: { owner: input.ownerUsername, scopes, ratePerHour: rate, tokenId, expiresAt: row.expiresAt?.toISOString() ?? null } },
      () => this.db.insert(agents).values(row).run(),
    );
    return ok({ agent: publicAgent(row), token: `nca_${tokenId}_${secret}` });
  }

  list(): PublicAgent[] {
    return this.db.select().from(agents).orderBy(agents.name).all().map(publicAgent);
  }

  findByName(name: string): PublicAgent | undefined {
    const row = this.db.select().from(agents).where(eq(agents.name, name)).get();
    return row && publicAgent(row);
  }

  get(id: string): PublicAgent | undefined {
    const row = this.db.select().from(agents).where(eq(agents.id, id)).get();
    return row && publicAgent(row);
  }

  /**
   * The agent a bearer token belongs to, if it is well-formed, matches, is not revoked or expired
   * and carries the scope. Every failure is TOKEN_INVALID (a caller learns nothing about which part
   * was wrong) except a valid token without the scope.
   */
  authenticate(token: string | undefined, scope: AgentScope): Result<PublicAgent, AgentAuthCode> {
    const invalid = err('TOKEN_INVALID', 'the token is missing, wrong, revoked or expired');
    const m = typeof token === 'string' ? TOKEN_RE.exec(token) : null;
    const row = m ? this.db.select().from(agents).where(eq(agents.tokenId, m[1]!)).get() : undefined;
    const matches = timingSafeEqualHex(row?.tokenSha256 ?? DUMMY_HASH, sha256Hex(m?.[2] ?? ''));
    if (!row || !m || !matches) return invalid;
    const now = this.now();
    if (row.revokedAt !== null) return invalid;
    if (row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime()) return invalid;
    if (!row.scopes.includes(scope)) return err('SCOPE_MISSING', `the token does not carry the scope ${scope}`);
    this.db.update(agents).set({ lastUsedAt: now }).where(eq(agents.id, row.id)).run();
    return ok(publicAgent(row));
  }

  /** Submissions this agent made in the last hour (the rate limit counts stored rows: it cannot fail open). */
  recentSubmissions(agentId: string): number {
    const since = new Date(this.now().getTime() - 3_600_000);
    const r = this.db.select({ n: count() }).from(submissions).where(and(eq(submissions.agentId, agentId), gte(submissions.createdAt, since))).get();
    return r?.n ?? 0;
  }

  revoke(id: string, actor: string): Result<PublicAgent, AgentRevokeCode> {
    const row = this.db.select().from(agents).where(eq(agents.id, id)).get();
    if (!row) return err('AGENT_NOT_FOUND', `no agent with id ${id}`);
    if (row.revokedAt !== null) return err('ALREADY_REVOKED', `agent ${row.name} was already revoked`);
    const revokedAt = this.now();
    this.audit.record({ actor, action: 'agent.revoked', subject: actorForAgent(row.name), payload: { tokenId: row.tokenId } }, () =>
      this.db.update(agents).set({ revokedAt, revokedBy: actor }).where(eq(agents.id, id)).run(),
    );
    return ok(publicAgent({ ...row, revokedAt, revokedBy: actor }));
  }
}
