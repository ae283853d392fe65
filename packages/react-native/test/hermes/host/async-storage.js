/*
 * `@react-native-async-storage/async-storage` as the Hermes harness host
 * provides it: the map the harness fed in (`__cfHost.storage`, persisted
 * from the previous run) plus a `store.set` / `store.remove` line on stdout
 * for every write, which the harness applies to its persisted copy. A write
 * is durable once its line is printed, as a device write is once it hits disk.
 */
var host = global.__cfHost;
var data = host.storage;

var AsyncStorage = {
  getItem: function (key) {
    return Promise.resolve(Object.prototype.hasOwnProperty.call(data, key) ? data[key] : null);
  },
  setItem: function (key, value) {
    data[key] = String(value);
    host.emit({ op: 'store.set', key: key, value: String(value) });
    return Promise.resolve();
  },
  removeItem: function (key) {
    delete data[key];
    host.emit({ op: 'store.remove', key: key });
    return Promise.resolve();
  },
  getAllKeys: function () {
    return Promise.resolve(Object.keys(data));
  },
};

export default AsyncStorage;
