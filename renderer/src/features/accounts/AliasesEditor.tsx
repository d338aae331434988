import type { Account } from '../../../../preload/contract/accounts.ts';
import { TextField } from '../../shared/TextField.tsx';

type Alias = Account['aliases'][number];

interface Props {
  readonly aliases: readonly Alias[];
  readonly onChange: (aliases: Alias[]) => void;
}

/** Other addresses this account may send as, each with an optional signature of its own. */
export function AliasesEditor({ aliases, onChange }: Props) {
  const update = (index: number, patch: Partial<Alias>) => {
    onChange(aliases.map((alias, i) => (i === index ? { ...alias, ...patch } : alias)));
  };
  return (
    <fieldset className="aliases">
      <legend>Aliases</legend>
      {aliases.length === 0 ? <p className="field-hint">No other addresses.</p> : null}
      {aliases.map((alias, index) => (
        // While being edited, an alias has no identity but its position.
        <div key={index} className="alias-row">
          <TextField
            label={`Alias ${index + 1} address`}
            type="email"
            value={alias.address}
            onChange={(address) => {
              update(index, { address });
            }}
          />
          <TextField
            label={`Alias ${index + 1} name`}
            value={alias.displayName}
            onChange={(displayName) => {
              update(index, { displayName });
            }}
          />
          <TextField
            label={`Alias ${index + 1} signature`}
            multiline
            value={alias.signatureText}
            onChange={(signatureText) => {
              update(index, { signatureText });
            }}
          />
          <button
            type="button"
            onClick={() => {
              onChange(aliases.filter((_, i) => i !== index));
            }}
          >
            Remove alias {index + 1}
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => {
          onChange([...aliases, { address: '', displayName: '', signatureText: '', signatureHtml: '' }]);
        }}
      >
        Add alias
      </button>
    </fieldset>
  );
}
