/** How far a long command has come: `done` of `total` items. */
export interface Progress {
  done: number;
  total: number;
}

/**
 * The progress of a command line tool (`npm run reindex`, `npm run republish`) on stderr: one line,
 * rewritten in place on a terminal; every 10 % otherwise, so CI logs stay short.
 */
export function progressPrinter(verb: string, out: NodeJS.WriteStream) {
  let lastTenth = -1;
  let last = '';
  return ({ done, total }: Progress) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    const line = `${verb} ${done}/${total} (${percent}%)`;
    if (line === last) return;
    last = line;
    if (out.isTTY) out.write(`\r${line}`);
    else if (Math.floor(percent / 10) > lastTenth || done === total) {
      lastTenth = Math.floor(percent / 10);
      out.write(`${line}\n`);
    }
  };
}
