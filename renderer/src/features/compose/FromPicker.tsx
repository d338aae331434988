import type { Account } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { Field } from '../../shared/Field.tsx';

interface Props {
  readonly accounts: readonly Account[];
  readonly accountId: string | undefined;
  readonly alias: string | undefined;
  readonly onChange: (accountId: string, alias: string | undefined) => void;
  readonly error?: ErrorInfo | undefined;
}

const SEPARATOR = '\n';

function sender(name: string, address: string): string {
  return name ? `${name} <${address}>` : address;
}

/** Each account and each of its aliases; the value carries both, as `accountId` or `accountId\nalias`. */
export function FromPicker({ accounts, accountId, alias, onChange, error }: Props) {
  const value = accountId === undefined ? '' : alias ? `${accountId}${SEPARATOR}${alias}` : accountId;
  return (
    <Field label="From" error={error} className="from-picker">
      {(control) => (
        <select
          {...control}
          value={value}
          onChange={(event) => {
            const [id = '', address] = event.target.value.split(SEPARATOR);
            onChange(id, address);
          }}
        >
          {accounts.map((account) => (
            <optgroup key={account.id} label={account.label}>
              <option value={account.id}>
                {sender(account.displayName, account.fromAddress)}
                {account.isDefault ? ' (default)' : ''}
                {account.paused ? ' (paused)' : ''}
              </option>
              {account.aliases.map((entry) => (
                <option key={entry.address} value={`${account.id}${SEPARATOR}${entry.address}`}>
                  {sender(entry.displayName || account.displayName, entry.address)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      )}
    </Field>
  );
}
