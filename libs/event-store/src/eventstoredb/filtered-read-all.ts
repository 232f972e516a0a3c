import type { EventStoreDBClient } from '@eventstore/db-client';
import type { AllStreamResolvedEvent, Filter, ReadPosition } from '@eventstore/db-client';
// Internals of @eventstore/db-client 6.2.1 (pinned in package.json; see ADR 0011): its readAll
// always sends "no filter", although the server filters reads of $all just as it filters
// subscriptions. This is the client's own readAll (dist/streams/readAll.js) with the filter
// of its subscribeToAll (dist/streams/subscribeToAll.js) set instead.
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';

/** The protected members of the client this read needs (same as its own readAll uses). */
type ReadCall = ReturnType<StreamsClient['read']>;
interface ClientInternals {
  GRPCStreamCreator(
    client: typeof StreamsClient,
    debugName: string,
    creator: (client: StreamsClient) => ReadCall,
  ): () => Promise<ReadCall>;
  callArguments(
    options: Record<string, never>,
    callOptions: { deadline: number },
  ): [Parameters<StreamsClient['read']>[1], Parameters<StreamsClient['read']>[2]];
}

export interface FilteredReadAllOptions {
  readonly fromPosition: ReadPosition;
  readonly maxCount: bigint;
  readonly filter: Filter;
}

/** The request the server gets: $all forwards from a position, `maxCount` matching events. */
export function filteredReadRequest(options: FilteredReadAllOptions): ReadReq {
  const all = new ReadReq.Options.AllOptions();
  if (options.fromPosition === 'start') all.setStart(new Empty());
  else if (options.fromPosition === 'end') all.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(options.fromPosition.commit.toString(10));
    position.setPreparePosition(options.fromPosition.prepare.toString(10));
    all.setPosition(position);
  }
  const expression = new ReadReq.Options.FilterOptions.Expression();
  if ('prefixes' in options.filter) expression.setPrefixList(options.filter.prefixes);
  if ('regex' in options.filter) expression.setRegex(options.filter.regex);
  const filter = new ReadReq.Options.FilterOptions();
  if (options.filter.filterOn === 'streamName') filter.setStreamIdentifier(expression);
  else filter.setEventType(expression);
  if (options.filter.maxSearchWindow !== undefined) filter.setMax(options.filter.maxSearchWindow);
  else filter.setCount(new Empty());
  filter.setCheckpointintervalmultiplier(options.filter.checkpointInterval);

  const uuid = new ReadReq.Options.UUIDOption();
  uuid.setString(new Empty());
  const requestOptions = new ReadReq.Options();
  requestOptions.setAll(all);
  requestOptions.setResolveLinks(false);
  requestOptions.setCount(options.maxCount.toString(10));
  requestOptions.setUuidOption(uuid);
  requestOptions.setFilter(filter);
  requestOptions.setReadDirection(ReadReq.Options.ReadDirection.FORWARDS);
  const request = new ReadReq();
  request.setOptions(requestOptions);
  return request;
}

/** A read of $all that the server filters: only matching events cross the network. */
export function filteredReadAll(
  client: EventStoreDBClient,
  options: FilteredReadAllOptions,
): AsyncIterable<AllStreamResolvedEvent> {
  const request = filteredReadRequest(options);
  const internals = client as unknown as ClientInternals;
  const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpc) => {
    const [metadata, callOptions] = internals.callArguments({}, { deadline: Infinity });
    return grpc.read(request, metadata, callOptions);
  });
  return new ReadStream(
    createStream,
    convertGrpcEvent,
    {},
  ) as AsyncIterable<AllStreamResolvedEvent>;
}
