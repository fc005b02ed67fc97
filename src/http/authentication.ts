/**
 * Client authentication: `Authorization: Bearer <key>` everywhere, plus the vendors' own headers where
 * their SDKs send them — `x-api-key` (Anthropic) and `x-goog-api-key` or `?key=` (Gemini).
 */
import type { FastifyRequest } from 'fastify';
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

export function createAuthenticationHook(keys: ApiKeyService) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const access = request.routeOptions.config.access ?? 'client';
    if (access === 'public') return;
    request.principal = await keys.authenticate(presentedKey(request));
    if (access === 'admin') requireRole(request.principal, 'admin');
  };
}

export function requireRole(principal: Principal, role: Role): void {
  if (role === 'admin' && principal.role !== 'admin')
    throw new PermissionError('This endpoint needs an admin API key.');
}
