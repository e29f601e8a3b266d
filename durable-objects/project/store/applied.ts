/** Owner of `applied`: the (task, attempt) results already applied, so a redelivery changes nothing. */
export class AppliedTable {
  constructor(private readonly sql: SqlStorage) {}

  /** Records the result's key; false when it was already there. */
  claim(taskId: string, attempt: number, now: number): boolean {
    const idem = `${taskId}#${attempt}`;
    if (this.sql.exec("SELECT 1 FROM applied WHERE idem = ?", idem).toArray().length > 0) return false;
    this.sql.exec("INSERT INTO applied (idem, ts) VALUES (?, ?)", idem, now);
    return true;
  }
}
