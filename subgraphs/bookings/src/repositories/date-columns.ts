/** Calendar dates travel as YYYY-MM-DD strings; Prisma hands `@db.Date` columns over as UTC midnights. */
export const dateOnly = (d: Date): string => d.toISOString().slice(0, 10);
export const asDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
