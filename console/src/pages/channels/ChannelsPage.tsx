import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Pager, pageParam } from '../../components/Pager';
import { When } from '../../components/When';
import { useSearchParam } from '../../router';

export function ChannelsPage() {
  const [type, setType] = useSearchParam('type');
  const [pageText] = useSearchParam('page');
  const query = { page: pageParam(pageText), size: 25 };
  const channels = useQuery({
    queryKey: ['channels', query],
    queryFn: () => unwrap(api.GET('/api/v1/notification-channels', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  // The API filters by page only; the type filter narrows the page shown.
  const items = (channels.data?.items ?? []).filter((c) => !type || c.type === type);
  return (
    <>
      <h1>Channels</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">Any</option>
            <option>webhook</option>
            <option>slack</option>
            <option>email</option>
          </select>
        </label>
      </form>
      <ErrorAlert error={channels.error} />
      {channels.data && (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Notification channels</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Target</th>
                  <th scope="col">Default</th>
                  <th scope="col">Secret</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id}>
                    <td>{c.name}</td>
                    <td>{c.type}</td>
                    <td className="wrap">{c.url ?? c.email_to ?? ''}</td>
                    <td>{c.is_default ? 'yes' : 'no'}</td>
                    <td>{c.has_secret ? 'set' : '—'}</td>
                    <td>
                      <When iso={c.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={channels.data.page} pages={channels.data.pages} total={channels.data.total} />
        </>
      )}
    </>
  );
}
