import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Pager, pageParam } from '../../components/Pager';
import { When } from '../../components/When';
import { useSearchParam } from '../../router';

export function UsersPage() {
  const [pageText] = useSearchParam('page');
  const query = { page: pageParam(pageText), size: 25 };
  const users = useQuery({
    queryKey: ['users', query],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Users</h1>
      <ErrorAlert error={users.error} />
      {users.data && (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Superuser</th>
                  <th scope="col">Active</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td>{u.username}</td>
                    <td>{u.is_superuser ? 'yes' : 'no'}</td>
                    <td>{u.is_active ? 'yes' : 'no'}</td>
                    <td>
                      <When iso={u.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={users.data.page} pages={users.data.pages} total={users.data.total} />
        </>
      )}
    </>
  );
}
