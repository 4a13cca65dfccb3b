/** An error shaped as both ClickHouse clients raise them: numeric code (as a string) and type name. */
export const chError = (code: string, type: string) =>
  Object.assign(new Error(`Code: ${code}. DB::Exception: boom. (${type})`), { code, type });
