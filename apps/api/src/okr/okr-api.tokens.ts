/** The EventStore port (Postgres by default, EventStoreDB when configured). */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** `OkrCommands`: the only way the API writes. */
export const OKR_COMMANDS = Symbol('OKR_COMMANDS');
/** `ReadModelQueries`: what every current-state query reads. */
export const READ_MODELS = Symbol('READ_MODELS');
/** `ProjectionProgress`: read-your-writes and the lag shown by /health. */
export const PROJECTION_PROGRESS = Symbol('PROJECTION_PROGRESS');
/** The projector: started in this process unless PROJECTOR=external, where it only reads checkpoints. */
export const PROJECTOR = Symbol('PROJECTOR');
/** `TimeTravel`: as-of answers and cycle replays folded from events. */
export const TIME_TRAVEL = Symbol('TIME_TRAVEL');
/** The PostgreSQL URL the app runs on (event store and read models). */
export const DATABASE_URL = Symbol('DATABASE_URL');
