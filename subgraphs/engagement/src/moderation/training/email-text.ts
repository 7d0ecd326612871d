/**
 * The readable text of a raw e-mail from the corpus: subject and body, without headers, MIME
 * scaffolding, quoted-printable escapes, base64 blocks or HTML tags. Posts and comments have no
 * headers, so a model that learned from headers (mail servers, dates) would learn nothing usable.
 */
export function emailText(raw: string): string {
  const split = raw.indexOf('\n\n');
  const headers = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? '' : raw.slice(split + 2);
  const subject = /^subject:(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
  if (/quoted-printable/i.test(raw)) {
    body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  body = body
    .split('\n')
    // MIME boundaries and part headers, and base64 blocks (long runs without spaces).
    .filter((line) => !/^--\S+/.test(line) && !/^content-[\w-]+:/i.test(line) && !/^[A-Za-z0-9+/=]{40,}$/.test(line.trim()))
    // Quoted replies keep their words, not the quote marks.
    .map((line) => line.replace(/^(\s*>)+/, ''))
    .join('\n');
  body = body
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<a\s[^>]*href=["']?([^"'\s>]+)[^>]*>/gi, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
  return `${subject}\n${body}`;
}
