// RFC 3986 percent-encoding as the cloud signing schemes define it (AWS SigV4 "UriEncode", Alibaba's
// percentEncode): A–Z a–z 0–9 - _ . ~ stay, every other UTF-8 byte becomes %XY in uppercase hex (so a
// space is %20, never +). encodeURIComponent keeps ! ' ( ) * as they are; those are encoded here.

export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
