/**
 * Client authentication: `Authorization: Bearer <key>` everywhere, plus the vendors' own headers where
 * their SDKs send them — `x-api-key` (Anthropic) and `x-goog-api-key` or `?key=` (Gemini).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PermissionError } from '../errors/index.js';
import type { ApiKeyService, Principal, Role } from '../security/api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** Where clients reach this server (configured public_url, else this request's scheme and host). */
    baseUrl: string;
  }
  interface FastifyContextConfig {
    /** Who may call the route: any client key, admin keys only, or anyone. */
    access?: 'client' | 'admin' | 'public';
  }
}

export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization);
    if (match) return match[1]!.trim();
  }
  const header = request.headers['x-api-key'] ?? request.headers['x-goog-api-key'];
  if (typeof header === 'string' && header) return header;
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.key === 'string' && query.key) return query.key;
  return undefined;
}

/**
 * An onRequest hook in callback style: a key verified recently is answered from the cache synchronously,
 * so the common request pays no promise here; only a cache miss waits for the database.
 */
export function createAuthenticationHook(keys: ApiKeyService) {
  return function authenticate(
    request: FastifyRequest,
    _reply: FastifyReply,
    done: (error?: Error) => void,
  ): void {
    const access = request.routeOptions.config.access ?? 'client';
    if (access === 'public') return done();
    const admit = (principal: Principal) => {
      try {
        if (access === 'admin') requireRole(principal, 'admin');
      } catch (error) {
        return done(error as Error);
      }
      request.principal = principal;
      done();
    };
    let verdict: Principal | Promise<Principal>;
    try {
      verdict = keys.authenticate(presentedKey(request));
    } catch (error) {
      return done(error as Error);
    }
    if (verdict instanceof Promise) verdict.then(admit, done);
    else admit(verdict);
  };
}

export function requireRole(principal: Principal, role: Role): void {
  if (role === 'admin' && principal.role !== 'admin')
    throw new PermissionError('This endpoint needs an admin API key.');
}
