import { documentCleanupKwargs } from '../document-cleaner';
import { TaskHandler } from '../task-handler.decorator';
import { DocumentCleanupTask } from './document-cleanup.task';

/** The seed's `app.tasks.cleanup.system_cleanup`: the document cleanup under its seed name. */
@TaskHandler('app.tasks.cleanup.system_cleanup', {
  description: 'Clean up old files under DOCUMENTS_DIR (cleanup_level "deep" also removes empty folders)',
  kwargs: documentCleanupKwargs,
})
export class SystemCleanupTask extends DocumentCleanupTask {}
