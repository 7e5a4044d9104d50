import { DataSource } from 'typeorm';
import { AppConfig } from './src/config/app-config';
import { DatabaseServer } from './src/database/database-server';
import { dataSourceOptions } from './src/database/data-source-options';

/** The TypeORM CLI's data source (`npm run migration:*`), same options as the application. */
export default (async () => {
  const config = AppConfig.fromProcessEnv();
  const url = await new DatabaseServer(config).url();
  return new DataSource(dataSourceOptions(url));
})();
