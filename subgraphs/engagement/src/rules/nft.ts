// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient declaration file, not a module: it types multiformats for every program that compiles this file
/// <reference path="../types/multiformats.d.ts" />
import { createHash } from 'node:crypto';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';

/** What mint-ready metadata is made from: a published post or comment. */
export interface MintableItem {
  kind: 'POST' | 'COMMENT';
  id: string;
  authorId: string;
  body: string;
  createdAt: Date;
}

export interface NftMetadata {
  json: string;
  cid: string;
  tokenUri: string;
  tokenId: string;
  tokenIdHex: string;
  contentHash: string;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A card showing the text, as an inline SVG: every token has an image without anything to host. */
function cardImage(title: string, text: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const excerpt = text.length > 140 ? `${text.slice(0, 139)}…` : text;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="315" viewBox="0 0 600 315">` +
    `<rect width="600" height="315" fill="#f7f4ee"/>` +
    `<text x="24" y="48" font-family="sans-serif" font-size="22" fill="#333">${escape(title)}</text>` +
    `<foreignObject x="24" y="72" width="552" height="220"><p xmlns="http://www.w3.org/1999/xhtml" style="font:18px sans-serif;color:#111">${escape(excerpt)}</p></foreignObject>` +
    `</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/**
 * ERC-1155 metadata for an item: a JSON document with name, description, image and properties
 * (author, created time, content hash), serialized with a fixed key order so the same item always
 * gives the same bytes. Its content identifier is CIDv1 with the raw codec over sha2-256 of those
 * bytes: what `ipfs add --cid-version 1 --raw-leaves` reports for a file holding them (documents
 * under the 256 KiB chunk size are one raw block). The token id is sha-256 of "market:<KIND>:<id>"
 * read as a uint256, so it is fixed by the item and independent of its text.
 */
export async function nftMetadataOf(item: MintableItem): Promise<NftMetadata> {
  const contentHash = sha256Hex(item.body);
  const name = item.kind === 'POST' ? `Post ${item.id}` : `Comment ${item.id}`;
  const document = {
    name,
    description: item.body,
    image: cardImage(name, item.body),
    properties: {
      author: item.authorId,
      createdAt: item.createdAt.toISOString(),
      contentHash: `sha256:${contentHash}`,
      kind: item.kind,
    },
  };
  const json = JSON.stringify(document);
  const cid = CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(json))).toString();
  const tokenIdHex = sha256Hex(`market:${item.kind}:${item.id}`);
  return { json, cid, tokenUri: `ipfs://${cid}`, tokenId: BigInt(`0x${tokenIdHex}`).toString(10), tokenIdHex, contentHash };
}
