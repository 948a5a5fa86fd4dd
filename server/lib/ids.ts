import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** Random bytes drawn 4 KiB at a time: one call into the system per 256 ids, not per id. */
let pool = Buffer.alloc(0);
let offset = 0;

/** Time-sortable id (ULID layout, Crockford base32, lower case) with a readable prefix. */
export function newId(prefix: string): string {
  let time = Date.now();
  let head = "";
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  if (offset + 16 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  let tail = "";
  for (let i = 0; i < 16; i++) tail += ALPHABET[pool[offset++]! % 32];
  return `${prefix}_${head}${tail}`;
}
