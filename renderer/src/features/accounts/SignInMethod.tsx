import { useState } from 'react';
import type { Provider } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { Field } from '../../shared/Field.tsx';
import { TextField } from '../../shared/TextField.tsx';
import { choiceKeyOf, signInChoices, withChoice, type AccountForm } from './account-form.ts';

interface Props {
  readonly form: AccountForm;
  readonly preset: Provider | undefined;
  readonly onChange: (form: AccountForm) => void;
  readonly fieldError: (field: string) => ErrorInfo | undefined;
}

function appPasswordHelp(preset: Provider | undefined): string {
  const where = preset && preset.key !== 'custom' ? `${preset.name}'s` : "your provider's";
  const general = `An app password is a password made for one program, in ${where} security settings; your normal password may be refused.`;
  return preset?.note ? `${general} ${preset.note}` : general;
}

export const ORGANISATION_APP = "Your organisation's own app (advanced)";

/**
 * A Microsoft or Google account's own client ID, for organisations that registered Outbox
 * themselves (or a build without one); folded away, since most people never need it.
 */
function OrganisationClientId({ form, onChange }: { form: AccountForm; onChange: (value: string) => void }) {
  // Open at first when one is set; after that the person folds it as they like.
  const [initiallyOpen] = useState(form.oauthClientId !== '');
  return (
    <details className="advanced" open={initiallyOpen}>
      <summary>{ORGANISATION_APP}</summary>
      <TextField
        label="Client ID"
        value={form.oauthClientId}
        onChange={onChange}
        hint="The application (client) ID your organisation registered for Outbox. Leave empty to use the one this copy of Outbox was built with."
      />
    </details>
  );
}

/** How the account signs in: the method menu, and the fields that method needs (never a token). */
export function SignInMethod({ form, preset, onChange, fieldError }: Props) {
  const choices = signInChoices(preset, form);
  const set =
    <K extends keyof AccountForm>(key: K) =>
    (value: AccountForm[K]) => {
      onChange({ ...form, [key]: value });
    };
  return (
    <>
      <Field
        label="Sign-in method"
        error={fieldError('auth') ?? fieldError('oauth')}
        hint={form.auth === 'app-password' ? appPasswordHelp(preset) : undefined}
      >
        {(control) => (
          <select
            {...control}
            value={choiceKeyOf(form)}
            onChange={(event) => {
              const choice = choices.find((c) => c.key === event.target.value);
              if (choice) onChange(withChoice(form, choice));
            }}
          >
            {choices.map((choice) => (
              <option key={choice.key} value={choice.key}>
                {choice.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {form.auth === 'oauth2' && form.oauthProvider === 'generic' ? (
        <>
          <TextField
            label="Issuer URL"
            type="text"
            value={form.oauthIssuer}
            onChange={set('oauthIssuer')}
            placeholder="https://login.example.org"
            hint="The provider's address; Outbox reads its sign-in settings from there."
          />
          <TextField
            label="Client ID"
            value={form.oauthClientId}
            onChange={set('oauthClientId')}
            hint="The ID your organisation registered for Outbox (a desktop app has no secret)."
          />
          <TextField
            label="Scopes"
            value={form.oauthScopes}
            onChange={set('oauthScopes')}
            hint="Separated by spaces, as the provider names them."
          />
        </>
      ) : null}
      {form.auth === 'oauth2' && form.oauthProvider !== 'generic' ? (
        <OrganisationClientId form={form} onChange={set('oauthClientId')} />
      ) : null}
      {form.auth === 'none' ? null : (
        <TextField
          label="Username"
          value={form.username}
          onChange={set('username')}
          error={fieldError('username')}
          autoComplete="username"
        />
      )}
    </>
  );
}
