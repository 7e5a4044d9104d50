import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Pager, pageParam } from '../../components/Pager';
import { When } from '../../components/When';
import { useSearchParam } from '../../router';

export function AuditPage() {
  const [actor, setActor] = useSearchParam('actor');
  const [action, setAction] = useSearchParam('action');
  const [entity, setEntity] = useSearchParam('entity_type');
  const [pageText] = useSearchParam('page');
  const query = {
    page: pageParam(pageText),
    size: 25,
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(entity ? { entity_type: entity } : {}),
  };
  const entries = useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap(api.GET('/api/v1/audit-logs', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Audit log</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Actor
          <input value={actor} onChange={(e) => setActor(e.target.value)} />
        </label>
        <label>
          Action
          <input value={action} onChange={(e) => setAction(e.target.value)} placeholder="e.g. job.create" />
        </label>
        <label>
          Entity type
          <input value={entity} onChange={(e) => setEntity(e.target.value)} placeholder="e.g. job" />
        </label>
      </form>
      <ErrorAlert error={entries.error} />
      {entries.data && (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Audit entries</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Entity</th>
                  <th scope="col">Changes</th>
                  <th scope="col">IP</th>
                </tr>
              </thead>
              <tbody>
                {entries.data.items.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <When iso={e.at} />
                    </td>
                    <td>{e.actor}</td>
                    <td>{e.action}</td>
                    <td>
                      {e.entity_type} {e.entity_id}
                    </td>
                    <td>
                      <code className="small">{e.changes ? JSON.stringify(e.changes).slice(0, 200) : ''}</code>
                    </td>
                    <td>{e.ip ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={entries.data.page} pages={entries.data.pages} total={entries.data.total} />
        </>
      )}
    </>
  );
}
