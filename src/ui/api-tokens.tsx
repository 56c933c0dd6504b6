/** The Account dialog's API tokens: the list, a new token shown once with a copy button, revoke. */
import './api-tokens.css';
import { useEffect, useState } from 'preact/hooks';
import { type ApiToken, type CreatedApiToken, createToken, listTokens, revokeToken } from '../api/tokens.ts';
import { formatTime } from './sync-words.ts';
import { TextField } from './text-field.tsx';

const DAY_MS = 24 * 60 * 60 * 1000;
const LIFETIMES = [
  { label: 'Never', days: 0 },
  { label: 'In 30 days', days: 30 },
  { label: 'In 90 days', days: 90 },
  { label: 'In a year', days: 365 },
];

/** A token request's failure in words. */
export function tokenErrorMessage(error: unknown): string {
  const failure = error as { problem?: { code?: string; detail?: string } | null; status?: number };
  if (failure.status === 0 || error instanceof TypeError) return 'Cannot reach the server. Are you online?';
  if (failure.status === 401) return 'Your session has ended. Sign in again to manage tokens.';
  return failure.problem?.detail ?? 'Something went wrong. Try again.';
}

function expiryText(token: ApiToken): string {
  if (!token.expiresAt) return 'never expires';
  const at = Date.parse(token.expiresAt);
  return at <= Date.now() ? `expired ${formatTime(at)}` : `expires ${formatTime(at)}`;
}

export function ApiTokens() {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [days, setDays] = useState(0);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(tokenErrorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  const reload = () => listTokens().then(setTokens);
  useEffect(() => void run(reload), []);

  const create = (event: Event) => {
    event.preventDefault();
    if (!name.trim()) return setError('Give the token a name, such as the script that will use it.');
    void run(async () => {
      const expiresAt = days > 0 ? new Date(Date.now() + days * DAY_MS).toISOString() : null;
      setCreated(await createToken(name.trim(), expiresAt));
      setCopied(false);
      setName('');
      await reload();
    });
  };
  const copy = async (token: string) => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied(true);
    } catch {
      setError('Could not copy: select the token and copy it by hand.');
    }
  };

  return (
    <section class="api-tokens" aria-labelledby="api-tokens-title">
      <h3 id="api-tokens-title">API tokens</h3>
      <p class="muted">
        For scripts and extensions: send <code>Authorization: Bearer &lt;token&gt;</code>. A token can read and write
        your cards, but not manage tokens.
      </p>
      {created && (
        <div class="notice" role="status">
          <p>Your new token “{created.name}”. Copy it now: it is shown only this once.</p>
          <div class="token-secret">
            <input
              aria-label="New token"
              readOnly
              value={created.token}
              onFocus={(event) => event.currentTarget.select()}
            />
            <button type="button" class="button" onClick={() => void copy(created.token)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
      {tokens && tokens.length === 0 && <p class="muted">You have no API tokens.</p>}
      {tokens && tokens.length > 0 && (
        <ul class="token-list" aria-label="Your API tokens">
          {tokens.map((token) => (
            <li key={token.id}>
              <span>
                <strong>{token.name}</strong>
                <span class="muted">
                  {' '}
                  created {formatTime(token.createdAt)}, {expiryText(token)}
                </span>
              </span>
              <button
                type="button"
                class="button"
                disabled={busy}
                aria-label={`Revoke ${token.name}`}
                onClick={() =>
                  void run(async () => {
                    await revokeToken(token.id);
                    if (created?.id === token.id) setCreated(null);
                    await reload();
                  })
                }
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="token-form" onSubmit={create} noValidate>
        <TextField label="Token name" name="token-name" value={name} onInput={setName} />
        <label class="field">
          <span>Expires</span>
          <select value={days} onChange={(event) => setDays(Number(event.currentTarget.value))}>
            {LIFETIMES.map((lifetime) => (
              <option key={lifetime.days} value={lifetime.days}>
                {lifetime.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="button" disabled={busy}>
          Create token
        </button>
      </form>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
