export { PushButton, type PushButtonOptions } from './button';
export {
  LevelSensor,
  type LevelSensorOptions,
  SENSOR_CTRL,
  SENSOR_CTRL_INT_ENABLE,
  SENSOR_DATA,
  SENSOR_ID,
  SENSOR_STATUS,
  SENSOR_WHO_AM_I,
} from './sensor';
export { PulseGenerator, type PulseGeneratorOptions } from './pulse';
