import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
// Global order matters: the theme variables first, then shared controls, then each screen.
import './styles.css';
import './shared/controls.css';
import './app/app.css';
import './features/compose/compose.css';
import './features/outbox/outbox.css';
import './features/sent/sent.css';
import './features/accounts/accounts.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
