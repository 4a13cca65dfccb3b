/** Dates given as text by people and URLs: ISO 8601 (a day, or a day and a time) or epoch milliseconds. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The date, or undefined when the text is not one of the accepted forms or not a real date. */
export function parseDateText(text: string): Date | undefined {
  const value = text.trim();
  const date = /^\d{1,15}$/.test(value) ? new Date(Number(value)) : ISO_8601.test(value) ? new Date(value) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}
