/** Prepared statements for users, sessions and API tokens. */
import type Database from 'better-sqlite3';

export function prepareAccountStatements(db: Database.Database) {
  return {
    userByEmail: db.prepare<[string], { id: string; email: string; password_hash: string }>(
      'SELECT id, email, password_hash FROM users WHERE email = ?',
    ),
    userById: db.prepare<[string], { id: string; email: string }>('SELECT id, email FROM users WHERE id = ?'),
    insertUser: db.prepare<[string, string, string, string]>(
      'INSERT INTO users(id, email, password_hash, created_at) VALUES (?, ?, ?, ?)',
    ),
    insertSession: db.prepare<[string, string, number, number]>(
      'INSERT INTO sessions(id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ),
    sessionUser: db.prepare<[string, number], { id: string; email: string; expires_at: number }>(
      `SELECT users.id, users.email, sessions.expires_at FROM sessions JOIN users ON users.id = sessions.user_id
        WHERE sessions.id_hash = ? AND sessions.expires_at > ?`,
    ),
    renewSession: db.prepare<[number, string]>('UPDATE sessions SET expires_at = ? WHERE id_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?'),
    deleteExpiredSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
    insertToken: db.prepare<[string, string, string, string, string, number | null]>(
      'INSERT INTO api_tokens(id, user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    tokenUser: db.prepare<[string], { id: string; email: string; token_id: string; expires_at: number | null }>(
      `SELECT users.id, users.email, api_tokens.id AS token_id, api_tokens.expires_at
         FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE token_hash = ?`,
    ),
    listTokens: db.prepare<[string], { id: string; name: string; created_at: string; expires_at: number | null }>(
      'SELECT id, name, created_at, expires_at FROM api_tokens WHERE user_id = ? ORDER BY created_at, id',
    ),
    deleteToken: db.prepare<[string, string]>('DELETE FROM api_tokens WHERE user_id = ? AND id = ?'),
  };
}

export type AccountStatements = ReturnType<typeof prepareAccountStatements>;
