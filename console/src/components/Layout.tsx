import type { ReactNode } from 'react';
import { useSession } from '../auth';
import { Link, useLocation } from '../router';
import { ErrorBoundary } from './ErrorBoundary';

const LINKS = [
  { to: '/', label: 'Overview', superuser: false },
  { to: '/jobs', label: 'Jobs', superuser: false },
  { to: '/runs', label: 'Runs', superuser: false },
  { to: '/audit', label: 'Audit log', superuser: true },
  { to: '/users', label: 'Users', superuser: true },
  { to: '/channels', label: 'Channels', superuser: true },
];

export function Layout({ children }: { children: ReactNode }) {
  const { me, isSuperuser, signOut } = useSession();
  const { path } = useLocation();
  const active = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <>
      <header className="topbar">
        <span className="brand">Jobs console</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.filter((l) => !l.superuser || isSuperuser).map((l) => (
              <li key={l.to}>
                <Link to={l.to} aria-current={active(l.to) ? 'page' : undefined}>
                  {l.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {me ? `${me.username}${me.is_superuser ? ' (superuser)' : ''}` : ''}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <ErrorBoundary>{children}</ErrorBoundary>
      </main>
    </>
  );
}
