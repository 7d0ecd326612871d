import { z } from 'zod';
import { ConfigError, logLevel, parseEnv } from '../env';
import { createLogger } from '../logger';
import type { DeadLetter, EventBus } from './bus';
import { KafkaEventBus, type KafkaDeadLetter } from './kafka-bus';

const cliEnvSchema = z
  .object({
    KAFKA_BROKERS: z
      .string({ error: 'is required (comma-separated host:port list)' })
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.string().regex(/^[^:\s]+:\d+$/, { error: 'each broker must be host:port' }))
          .min(1, { error: 'is required (comma-separated host:port list)' }),
      ),
    KAFKA_CLIENT_ID: z.string().min(1).default('market-dead-letters'),
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9._-]+$/)
      .default('market'),
    KAFKA_SSL: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    KAFKA_SASL_USERNAME: z.string().optional(),
    KAFKA_SASL_PASSWORD: z.string().optional(),
    LOG_LEVEL: logLevel.default('warn'),
  })
  .refine((env) => !env.KAFKA_SASL_MECHANISM || (env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD), {
    error: 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM',
    path: ['KAFKA_SASL_MECHANISM'],
  });

export const DEAD_LETTERS_USAGE = `usage:
  dead-letters list [--json] [--group <group>]    list dead letters not yet replayed, oldest first
  dead-letters replay <id>                         send one back to its topic
  dead-letters replay --all [--group <group>]      send all (of one group) back
Environment: KAFKA_BROKERS (required), KAFKA_TOPIC_PREFIX (market), KAFKA_CLIENT_ID (market-dead-letters),
KAFKA_SSL (false), KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, LOG_LEVEL (warn).
Consumers skip events they handled already (inbox), so replaying is safe to repeat.`;

type Bus = Pick<EventBus, 'deadLetters' | 'replayDeadLetter'>;

/** Runs one command against a bus; returns the exit code. Output goes through `print`. */
export async function runDeadLettersCommand(bus: Bus, argv: readonly string[], print: (line: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  const groupIndex = rest.indexOf('--group');
  const group = groupIndex >= 0 ? rest[groupIndex + 1] : undefined;
  if (groupIndex >= 0 && !group) {
    print(`--group needs a value\n${DEAD_LETTERS_USAGE}`);
    return 2;
  }
  const ofGroup = <T extends { group: string }>(letters: T[]) => (group ? letters.filter((l) => l.group === group) : letters);

  if (command === 'list') {
    const letters = ofGroup(await bus.deadLetters());
    if (rest.includes('--json')) {
      print(JSON.stringify(letters, null, 2));
    } else if (letters.length === 0) {
      print('no dead letters');
    } else {
      for (const letter of letters) print(describeLetter(letter));
      print(`${letters.length} dead letter(s)`);
    }
    return 0;
  }

  if (command === 'replay') {
    const all = rest.includes('--all');
    const id = rest.find((arg, i) => !arg.startsWith('--') && rest[i - 1] !== '--group');
    if (all === Boolean(id)) {
      print(`replay needs either one id or --all\n${DEAD_LETTERS_USAGE}`);
      return 2;
    }
    const ids = all ? ofGroup(await bus.deadLetters()).map((l) => l.id) : [id as string];
    let missing = 0;
    for (const letterId of ids) {
      if (await bus.replayDeadLetter(letterId)) {
        print(`replayed ${letterId}`);
      } else {
        print(`no dead letter ${letterId}`);
        missing++;
      }
    }
    if (all) print(`${ids.length - missing} dead letter(s) replayed`);
    return missing > 0 ? 1 : 0;
  }

  print(DEAD_LETTERS_USAGE);
  return 2;
}

function describeLetter(letter: DeadLetter & { source?: KafkaDeadLetter['source'] }): string {
  const event = letter.event as { id?: unknown; type?: unknown } | null;
  const what = event && typeof event === 'object' ? `${String(event.type ?? '?')} ${String(event.id ?? '?')}` : 'unreadable message';
  const where = letter.source ? ` at ${letter.source.topic}[${letter.source.partition}]@${letter.source.offset}` : '';
  return `${letter.id}  ${letter.failedAt}  group=${letter.group}  ${what}${where}\n    ${letter.error}`;
}

async function main(argv: string[]) {
  const env = parseEnv('dead-letters', cliEnvSchema);
  const bus = new KafkaEventBus({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    logger: createLogger('dead-letters', env.LOG_LEVEL),
    // An operator's typo in the prefix should fail, not create a second set of topics.
    createTopics: false,
    ssl: env.KAFKA_SSL,
    ...(env.KAFKA_SASL_MECHANISM
      ? {
          sasl: {
            mechanism: env.KAFKA_SASL_MECHANISM,
            username: env.KAFKA_SASL_USERNAME as string,
            password: env.KAFKA_SASL_PASSWORD as string,
          },
        }
      : {}),
  });
  try {
    process.exitCode = await runDeadLettersCommand(bus, argv, (line) => console.log(line));
  } finally {
    await bus.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? `dead-letters: ${err.message}` : err);
    process.exit(1);
  });
}
