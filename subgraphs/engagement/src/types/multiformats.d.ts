// multiformats 9 (the last line that ships CommonJS, which jest and this CommonJS build load) lists
// no types in its package exports, so Node16 resolution cannot reach the declarations it ships.
// These declare the part of its API engagement uses, as multiformats documents it.
declare module 'multiformats/cid' {
  export class CID {
    static create(version: 0 | 1, code: number, digest: { code: number; digest: Uint8Array; bytes: Uint8Array }): CID;
    static parse(source: string): CID;
    readonly version: 0 | 1;
    readonly code: number;
    toString(): string;
  }
}
declare module 'multiformats/codecs/raw' {
  export const code: 0x55;
  export const name: 'raw';
}
declare module 'multiformats/hashes/sha2' {
  export const sha256: { code: number; digest(input: Uint8Array): Promise<{ code: number; digest: Uint8Array; bytes: Uint8Array }> };
}
