import type { ReactNode } from 'react';

interface Props {
  /** Names the screen's CSS class and its heading's id, which the app focuses on navigation. */
  readonly name: string;
  readonly title: string;
  /** Shown in the header after the title (counts, filters, status). */
  readonly header?: ReactNode;
  readonly children: ReactNode;
}

/** One main-pane screen: a labelled region whose heading takes focus when the screen opens. */
export function Screen({ name, title, header, children }: Props) {
  return (
    <section className={`screen ${name}`} aria-labelledby={`${name}-title`}>
      <header className="screen-header">
        <h1 id={`${name}-title`} tabIndex={-1}>
          {title}
        </h1>
        {header}
      </header>
      {children}
    </section>
  );
}
