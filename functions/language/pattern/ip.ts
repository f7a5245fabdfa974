/**
 * IP addresses and CIDR blocks as EventBridge reads them: a string that looks like an IPv4 address
 * (four dot-separated decimal numbers) or an IPv6 address (hex digits and colons, no embedded IPv4)
 * becomes its bytes; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as IPv4.
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** The address's bytes (4 or 16), or undefined when the string is not an IP address literal. */
export function parseIp(text: string): Uint8Array | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(4);
  const parts = text.split(".");
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? "";
    if (part.length > 3) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): string[] | undefined => {
    if (half === undefined || half === "") return [];
    const list = half.split(":");
    return list.every((g) => HEX_GROUP.test(g)) ? list : undefined;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const all = [...head, ...new Array<string>(8 - count).fill("0"), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly bottom: Uint8Array;
  readonly top: Uint8Array;
}

/**
 * Parses `address/bits`; returns the range, or the problem as a message. As in EventBridge, the range starts
 * at the address as written (its host bits are not cleared) and the mask must be below 32 (IPv4) or 128 (IPv6).
 */
export function parseCidr(text: string): IpRange | string {
  const slashed = text.split("/");
  if (slashed.length !== 2 || slashed[1] === "")
    return `malformed CIDR "${text}": expected address/bits, such as "10.0.0.0/24"`;
  const [address = "", bitsText = ""] = slashed;
  if (!/^[+-]?[0-9]+$/.test(bitsText)) return `malformed CIDR "${text}": the mask bits must be an integer`;
  const bits = Number(bitsText);
  if (bits < 0) return `malformed CIDR "${text}": the mask bits must not be negative`;
  const bottom = parseIp(address);
  if (bottom === undefined) return `malformed CIDR "${text}": "${address}" is not an IPv4 or IPv6 address`;
  const width = bottom.length * 8;
  if (bits >= width)
    return `malformed CIDR "${text}": ${bottom.length === 4 ? "IPv4" : "IPv6"} mask bits must be below ${width}`;
  const top = bottom.slice();
  let hostBits = width - bits;
  for (let i = top.length - 1; i >= 0 && hostBits > 0; i--, hostBits -= 8) {
    top[i] = (top[i] ?? 0) | (hostBits >= 8 ? 0xff : (1 << hostBits) - 1);
  }
  return { bottom, top };
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Is the address inside the range? Addresses of the other family never are. */
export function inRange(range: IpRange, address: Uint8Array): boolean {
  return (
    address.length === range.bottom.length && compare(range.bottom, address) <= 0 && compare(address, range.top) <= 0
  );
}
