import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Me } from '../../clients/typescript/src';
import { api, getToken, setToken, unwrap, whenUnauthorized } from './api';

interface Session {
  token: string | null;
  me: Me | undefined;
  isSuperuser: boolean;
  signIn: (token: string) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setState] = useState(getToken);
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: ['me', token],
    queryFn: () => unwrap(api.GET('/api/v1/auth/me')),
    enabled: token !== null,
    staleTime: 60_000,
  });
  const forget = () => {
    setToken(null);
    setState(null);
    queryClient.clear();
  };
  useEffect(() => whenUnauthorized(forget));
  const session: Session = {
    token,
    me: me.data,
    isSuperuser: me.data?.is_superuser === true,
    signIn: (value) => {
      setToken(value);
      setState(value);
    },
    signOut: async () => {
      // Revokes the token on the server; it is forgotten here whatever the answer.
      await api.POST('/api/v1/auth/logout').catch(() => undefined);
      forget();
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
