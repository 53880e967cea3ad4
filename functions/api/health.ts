import { HealthResponse } from '../../shared/contracts/auth.js';
import { currentMigration, ping } from '../adapters/db/client.js';
import { endpoint, json } from '../http/endpoint.js';

export default endpoint({ method: 'GET', auth: 'none', action: 'system.health' }, async ({ deps }) => {
  const dbUp = await ping(deps.database);
  const migration = dbUp ? await currentMigration(deps.database).catch(() => null) : null;
  return json(dbUp ? 200 : 503, HealthResponse, {
    status: dbUp && migration ? 'ok' : 'degraded',
    db: dbUp ? 'ok' : 'down',
    migration,
    driver: deps.database.driver,
    time: deps.clock.now().toISOString(),
  });
});
