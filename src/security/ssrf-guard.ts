/**
 * The one SSRF guard: every URL a user hands us (media sources, webhook targets) goes through it.
 *
 * Two layers. `assertFetchableUrl` rejects bad URLs up front with a clear 400 (wrong scheme, credentials,
 * odd host spellings, literal private addresses). `createGuardedDispatcher` checks the address the socket
 * actually connects to, after DNS, on every connection — so a name that resolves to a private address, or
 * re-resolves to one later (DNS rebinding), or a redirect to one, never gets a socket.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { InvalidRequestError } from '../errors/index.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has. Injected in tests to play a fake DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlPolicy {
  /** Test-only escape hatch: lets tests fetch from fakes on 127.0.0.1. Never set it in production. */
  allowPrivateHosts?: boolean;
}

export interface GuardedDispatcherOptions extends UrlPolicy {
  resolve?: HostResolver;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

/** A dispatcher that carries its URL policy, so callers vet Location headers with the same rules. */
export interface GuardedDispatcher extends Dispatcher {
  readonly allowPrivateHosts: boolean;
}

/** An undici Agent that only connects to public addresses. */
export class GuardedAgent extends Agent implements GuardedDispatcher {
  readonly allowPrivateHosts: boolean;

  constructor(options: Agent.Options, allowPrivateHosts: boolean) {
    super(options);
    this.allowPrivateHosts = allowPrivateHosts;
  }
}

export class UrlForbiddenError extends InvalidRequestError {
  constructor(reason: string) {
    super(`This URL cannot be fetched: ${reason}.`, 'url', 'url_forbidden');
  }
}

/** Host names that only ever mean "this machine" or "the cloud's metadata service". */
const FORBIDDEN_HOST_NAMES = ['localhost', 'metadata.google.internal', 'metadata', 'instance-data'];
const FORBIDDEN_HOST_SUFFIXES = ['.localhost', '.internal', '.local'];

/**
 * Parse and vet a user URL. Returns the parsed URL; throws UrlForbiddenError (400, code url_forbidden).
 * The WHATWG parser turns `http://2130706433/`, `0177.0.0.1` and `0x7f.1` into `127.0.0.1`; we refuse
 * such spellings outright, since nobody writes them in good faith.
 */
export function assertFetchableUrl(url: string, policy: UrlPolicy = {}): URL {
  if (typeof url !== 'string' || url.length === 0 || url.length > 4096) {
    throw new UrlForbiddenError('it must be an http or https URL of at most 4096 characters');
  }
  // The parser silently drops tabs/newlines and treats "\" as "/"; either means someone is playing games.
  if (/[\s\\\u0000-\u001f\u007f]/u.test(url)) {
    throw new UrlForbiddenError('it contains whitespace, control characters or backslashes');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UrlForbiddenError('it is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UrlForbiddenError(`the scheme ${parsed.protocol} is not allowed (only http and https)`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UrlForbiddenError('credentials in URLs are not allowed');
  }
  const rawHost = rawHostOf(url);
  const host = stripBrackets(parsed.hostname).replace(/\.$/u, '');
  if (host === '') throw new UrlForbiddenError('it has no host');
  if (isIP(host) === 4 && rawHost !== host && rawHost !== `${host}.`) {
    throw new UrlForbiddenError('IPv4 addresses must be written as four decimal numbers');
  }
  if (policy.allowPrivateHosts === true) return parsed;
  if (isIP(host) !== 0) {
    if (isForbiddenAddress(host)) throw new UrlForbiddenError(`the address ${host} is not public`);
    return parsed;
  }
  if (
    FORBIDDEN_HOST_NAMES.includes(host) ||
    FORBIDDEN_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))
  ) {
    throw new UrlForbiddenError(`the host ${host} is internal`);
  }
  return parsed;
}

/** The host exactly as the user spelled it (lower-cased), without userinfo, port or brackets. */
function rawHostOf(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/iu.exec(url)?.[1] ?? '';
  const withoutUserinfo = authority.slice(authority.lastIndexOf('@') + 1);
  const host = withoutUserinfo.startsWith('[')
    ? withoutUserinfo.slice(0, withoutUserinfo.indexOf(']') + 1)
    : withoutUserinfo.replace(/:\d*$/u, '');
  return stripBrackets(host.toLowerCase());
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** [network, prefix length] pairs of IPv4 space that is never a public web server. */
const FORBIDDEN_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata at 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including broadcast 255.255.255.255
];

const FORBIDDEN_V4_RANGES = FORBIDDEN_V4.map(([network, prefix]) => ({
  network: ipv4ToNumber(network),
  mask: prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0,
}));

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function isForbiddenV4Number(value: number): boolean {
  return FORBIDDEN_V4_RANGES.some(({ network, mask }) => (value & mask) >>> 0 === network);
}

/** Eight 16-bit groups of an IPv6 address (embedded dotted IPv4 tail allowed), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/u.exec(text)?.[1];
  if (dotted !== undefined) {
    if (isIP(dotted) !== 4) return undefined;
    const value = ipv4ToNumber(dotted);
    text = `${text.slice(0, -dotted.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? groups
    : undefined;
}

function isForbiddenV6(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedTail = (g6 * 0x10000 + g7) >>> 0;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d are all refused; ::ffff:a.b.c.d is the v4 host.
    if (g5 === 0xffff) return isForbiddenV4Number(embeddedTail);
    return true;
  }
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return true; // SIIT ::ffff:0:a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b) {
    // NAT64: the well-known prefix maps to the embedded v4 host; the local-use /48 is private by definition.
    return g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 ? isForbiddenV4Number(embeddedTail) : true;
  }
  if (g0 === 0x2002) return isForbiddenV4Number((g1 * 0x10000 + g2) >>> 0); // 6to4 embeds the v4 host
  if (g0 === 0x2001 && g1 === 0) return true; // Teredo hides a v4 host behind XOR
  if (g0 === 0x2001 && g1 === 0xdb8) return true; // documentation
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // deprecated site-local fec0::/10
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/**
 * Whether an IP address (v4 or v6, optionally bracketed or with a zone id) must never be connected to.
 * Anything that does not parse as an address is forbidden: the guard fails closed.
 */
export function isForbiddenAddress(ip: string): boolean {
  const address = stripBrackets(ip.trim()).replace(/%.*$/u, '');
  const version = isIP(address);
  if (version === 4) return isForbiddenV4Number(ipv4ToNumber(address));
  if (version === 6) {
    const groups = ipv6Groups(address.toLowerCase());
    return groups === undefined || isForbiddenV6(groups);
  }
  return true;
}

const systemResolver: HostResolver = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Resolve a host and refuse it if any of its addresses is forbidden (a mixed answer is a rebinding trick). */
async function resolvePublic(hostname: string, resolve: HostResolver): Promise<ResolvedAddress[]> {
  const addresses = await resolve(hostname);
  if (addresses.length === 0) throw new UrlForbiddenError(`the host ${hostname} does not resolve`);
  const forbidden = addresses.find(({ address }) => isForbiddenAddress(address));
  if (forbidden) {
    throw new UrlForbiddenError(
      `the host ${hostname} resolves to the non-public address ${forbidden.address}`,
    );
  }
  return addresses;
}

/**
 * An undici dispatcher whose every connection is checked at connect time: literal addresses directly,
 * names through DNS with each resolved address checked before the socket opens.
 */
export function createGuardedDispatcher(options: GuardedDispatcherOptions = {}): GuardedAgent {
  const allowPrivateHosts = options.allowPrivateHosts === true;
  const resolve = options.resolve ?? systemResolver;
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const check = allowPrivateHosts ? resolve(hostname) : resolvePublic(hostname, resolve);
    check.then(
      (addresses) => {
        const wanted = addresses.filter(
          ({ family }) =>
            lookupOptions.family === undefined ||
            lookupOptions.family === 0 ||
            family === lookupOptions.family,
        );
        const usable = wanted.length > 0 ? wanted : addresses;
        if (lookupOptions.all === true) {
          (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, usable);
        } else {
          const first = usable[0] as ResolvedAddress;
          callback(null, first.address, first.family);
        }
      },
      (error: Error) => callback(error, '', 0),
    );
  };
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const baseConnector = buildConnector({ timeout: connectTimeout, lookup: guardedLookup });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    // Node skips `lookup` for literal addresses, so those are checked here.
    const host = stripBrackets(connectOptions.hostname);
    if (!allowPrivateHosts && isIP(host) !== 0 && isForbiddenAddress(host)) {
      callback(new UrlForbiddenError(`the address ${host} is not public`), null);
      return;
    }
    baseConnector(connectOptions, callback);
  };
  return new GuardedAgent(
    {
      connect,
      headersTimeout: options.headersTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 30_000,
    },
    allowPrivateHosts,
  );
}
