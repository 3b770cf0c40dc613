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
export {
  Mcp23017,
  type Mcp23017Options,
  type Mcp23017Port,
  MCP23017_ADDRESS_MAX,
  MCP23017_ADDRESS_MIN,
  MCP23017_IOCON,
  MCP23017_LAST_REGISTER,
  MCP23017_REG,
} from './mcp23017';
export {
  Lis3dh,
  type Lis3dhAcceleration,
  type Lis3dhOptions,
  LIS3DH_ADDRESSES,
  LIS3DH_BITS,
  LIS3DH_FIFO_SIZE,
  LIS3DH_REG,
  LIS3DH_WHO_AM_I,
} from './lis3dh';
