import ipaddr from 'ipaddr.js';

/**
 * TARGET_ALLOWLIST (docs/security.md#target-allow-list): where load may go. Entries are host
 * names (`api.example.com`), wildcards (`*.example.com`: any name below it, not itself) and
 * IP ranges in CIDR (`10.0.0.0/8`, `::1/128`); a bare IP is its own /32 or /128. Names are
 * compared case-insensitively and without a trailing dot; an IP literal in a URL is matched
 * against the ranges only. Checked when a scenario or campaign is saved, by the dry run, and
 * by factories on every resolved request (a template must not smuggle a host past it).
 */
export interface AllowList {
  /** The entries as given, for messages. */
  readonly entries: readonly string[];
  allows(host: string): boolean;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses the list; throws with the first entry it cannot read. */
export function parseAllowList(text: string): AllowList {
  const entries = text.split(/[\s,]+/).map((e) => e.trim()).filter(Boolean);
  const names = new Set<string>();
  const suffixes: string[] = [];
  const ranges: Range[] = [];
  for (const entry of entries) {
    const lower = entry.toLowerCase().replace(/\.$/, '');
    if (lower.includes('/')) {
      try {
        ranges.push(ipaddr.parseCIDR(lower));
      } catch {
        throw new Error(`"${entry}" is not a CIDR range`);
      }
    } else if (ipaddr.isValid(unbracket(lower))) {
      const ip = ipaddr.parse(unbracket(lower));
      ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (lower.startsWith('*.') && isHostName(lower.slice(2))) suffixes.push(lower.slice(1));
    else if (isHostName(lower)) names.add(lower);
    else throw new Error(`"${entry}" is not a host name, a *.wildcard or a CIDR range`);
  }
  return {
    entries,
    allows(host: string): boolean {
      const h = unbracket(host.toLowerCase().replace(/\.$/, ''));
      if (ipaddr.isValid(h)) {
        const ip = normalise(ipaddr.parse(h));
        return ranges.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net as never, bits));
      }
      return names.has(h) || suffixes.some((s) => h.endsWith(s) && h.length > s.length);
    },
  };
}

/** The host a URL aims at (brackets of an IPv6 literal removed); null when it is no URL. */
export function hostOf(url: string): string | null {
  try {
    return unbracket(new URL(url).hostname);
  } catch {
    return null;
  }
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** ::ffff:10.0.0.1 is 10.0.0.1. */
function normalise(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

function isHostName(h: string): boolean {
  return h.length <= 253 && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(h);
}
