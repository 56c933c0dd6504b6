/** Sign up, sign in and sign out. */
import { useState } from 'preact/hooks';
import { useApp } from './app-context.ts';
import { Dialog } from './dialog.tsx';
import { lazyComponent } from './lazy-component.tsx';
import { TextField } from './text-field.tsx';

/** An auth failure in words, from the server's problem (`error.problem`) or a network failure. */
function authErrorMessage(error: unknown): string {
  const failure = error as { problem?: { code?: string; detail?: string } | null; status?: number; message?: string };
  const problem = { ...failure.problem, message: failure.message };
  if (failure.status === 0 || error instanceof TypeError) return 'Cannot reach the server. Are you online?';
  switch (problem.code) {
    case 'bad-credentials':
      return 'That email and password do not match an account.';
    case 'email-taken':
      return 'There is already an account with this email. Sign in instead.';
    case 'rate-limited':
      return 'Too many attempts. Wait a minute and try again.';
    case 'weak-password':
      return problem.detail ?? 'Choose a password that is harder to guess.';
    case 'server-busy':
      return 'The server is busy. Try again in a moment.';
    case 'invalid-request':
    case 'invalid-field':
      return problem.detail ?? 'Check the email address; the password needs at least 8 characters.';
  }
  return problem.detail ?? problem.message ?? 'Something went wrong. Try again.';
}

/** The token manager, loaded when a signed-in person opens this dialog: most visits never need it. */
const ApiTokens = lazyComponent(() => import('./api-tokens.tsx').then((module) => module.ApiTokens));

export function AccountDialog({ onClose }: { onClose: () => void }) {
  const { client, toast } = useApp();
  const account = client.account();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (mode: 'signIn' | 'signUp') => {
    if (!email.includes('@')) return setError('Enter your email address.');
    if (password.length < 8) return setError('The password needs at least 8 characters.');
    setBusy(true);
    setError(null);
    try {
      const signedIn = mode === 'signUp' ? await client.signUp(email, password) : await client.signIn(email, password);
      toast(
        `Signed in as ${signedIn.user.email}. Everything saved on this device is now part of your account and will sync.`,
      );
      onClose();
    } catch (caught) {
      setError(authErrorMessage(caught));
      setBusy(false);
    }
  };

  if (account) {
    return (
      <Dialog title="Account" onClose={onClose}>
        <p>
          Signed in as <strong>{account.user.email}</strong>.
        </p>
        <p class="muted">Signing out keeps your data on this device; it syncs again when you sign back in.</p>
        <div class="form-actions">
          <button
            type="button"
            class="button"
            onClick={() =>
              void client.signOut().then(() => {
                toast('Signed out. Your data stays on this device.');
                onClose();
              })
            }
          >
            Sign out
          </button>
        </div>
        <ApiTokens />
      </Dialog>
    );
  }
  return (
    <Dialog title="Sign in to sync" onClose={onClose}>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit('signIn');
        }}
      >
        <p class="muted">
          Burrow works without an account. Sign in to sync with your other devices; what you saved here comes with you.
        </p>
        <TextField label="Email" name="email" type="email" value={email} onInput={setEmail} focusOnOpen />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          hint="At least 8 characters."
        />
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="form-actions">
          <button type="button" class="button" disabled={busy} onClick={() => void submit('signUp')}>
            Create account
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            Sign in
          </button>
        </div>
      </form>
    </Dialog>
  );
}
