import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';

function logOnce(write: (logger: ReturnType<typeof createLogger>) => void): Record<string, unknown> {
  const lines: string[] = [];
  write(createLogger('info', { write: (line: string) => void lines.push(line) }));
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('logger', () => {
  it('keeps system and database error codes visible while redacting codes elsewhere', () => {
    const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    const line = logOnce((l) => l.error({ err: refused, callback: { code: '061Aby0w3abcDEF12345678901234567' } }, 'boom'));
    expect((line.err as Record<string, unknown>).errorCode).toBe('ECONNREFUSED');
    expect((line.err as Record<string, unknown>).code).toBe('[redacted]');
    expect(line.callback).toEqual({ code: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('061Aby0w3');

    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect((logOnce((l) => l.error({ err: unique }, 'db')).err as Record<string, unknown>).errorCode).toBe('23505');
  });

  it('does not copy a code that looks like an OAuth code into errorCode', () => {
    const odd = Object.assign(new Error('x'), { code: '061Aby0w3abcDEF12345678901234567' });
    const line = logOnce((l) => l.error({ err: odd }, 'odd'));
    expect(JSON.stringify(line)).not.toContain('061Aby0w3');
    expect((line.err as Record<string, unknown>).errorCode).toBeUndefined();
  });
});
